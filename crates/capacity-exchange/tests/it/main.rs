//! Integration tests of `capacity-exchange`, in one test binary: the
//! planners' exports read back with calamine, the XLSForm read back, and
//! the round trip rubric → XLSForm → Kobo CSV → assessments.

mod exports;
mod kobo;
mod util;
mod xlsform;
