//! TypeScript declarations for the generated `.d.ts`. Core's input and output types and the
//! guard's config and options declare themselves (their `tsify` derives); this adds the
//! hand-written JS surface (`ts/types.d.ts`) and, with the operations, the table core generates
//! from its own list (`Operations`) and the typed `call` (`ts/operations.d.ts`). The functions'
//! own signatures come from wasm-bindgen and from the macro in `ops`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES_TS: &str = include_str!("../ts/types.d.ts");

#[cfg(feature = "ops")]
#[wasm_bindgen(typescript_custom_section)]
const OPERATIONS_TS: &str = orgkit_core::ops::OPERATIONS_TS;

#[cfg(feature = "ops")]
#[wasm_bindgen(typescript_custom_section)]
const CALL_TS: &str = include_str!("../ts/operations.d.ts");
