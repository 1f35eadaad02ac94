//! TypeScript declarations for the generated `.d.ts`: the operation table (input and output of
//! every core operation), the guard's config and options, the claims and the error class.
//! The functions' own signatures come from wasm-bindgen and from the macro in [`crate::ops`].

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES_TS: &str = include_str!("../ts/types.d.ts");
