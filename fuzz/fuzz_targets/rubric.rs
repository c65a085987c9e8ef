//! Any text given to the rubric parser and compiler (the body is
//! `capacity_fuzzing::rubric_text`, run on the seeds by the normal tests).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| capacity_fuzzing::rubric_text(data));
