//! TypeScript declarations for the generated `.d.ts`. Core's input and output types and the
//! guard's config declare themselves (their `tsify` derives); this adds the operation table
//! core generates from its own list and the hand-written JS surface (`ts/types.d.ts`). The
//! functions' own signatures come from wasm-bindgen and from the macro in [`crate::ops`].

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const OPERATIONS_TS: &str = orgkit_core::ops::OPERATIONS_TS;

#[wasm_bindgen(typescript_custom_section)]
const TYPES_TS: &str = include_str!("../ts/types.d.ts");
