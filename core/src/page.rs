//! List pagination limits: how many items a page may hold.
//!
//! Lists are keyset-paginated by their hosts (an opaque cursor names the last item seen); the
//! page size a client may ask for is a rule, so it lives here.

use crate::error::{Error, ErrorCode, Result};

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Most items a client may ask for in one page.
pub const MAX_PAGE_SIZE: u32 = 200;

/// The page size for a requested `limit`: the default when absent, `input_too_large` above
/// [`MAX_PAGE_SIZE`], `invalid_request` for zero.
///
/// ```
/// use orgkit_core::page::{page_size, DEFAULT_PAGE_SIZE};
/// assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
/// assert_eq!(page_size(Some(10)).unwrap(), 10);
/// assert_eq!(page_size(Some(0)).unwrap_err().code(), "invalid_request");
/// assert_eq!(page_size(Some(100_000)).unwrap_err().code(), "input_too_large");
/// ```
pub fn page_size(limit: Option<u64>) -> Result<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(0) => Err(
            Error::new(ErrorCode::InvalidRequest, "limit must be at least 1").with_field("limit"),
        ),
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_PAGE_SIZE)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InputTooLarge,
                    format!("limit must be at most {MAX_PAGE_SIZE}"),
                )
                .with_field("limit")
            }),
    }
}
