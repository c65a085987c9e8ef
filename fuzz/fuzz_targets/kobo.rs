//! Any text given to the Kobo/ODK CSV import of the example rubric's form;
//! every assessment it returns must validate and score (the body is
//! `capacity_fuzzing::kobo_csv`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| capacity_fuzzing::kobo_csv(data));
