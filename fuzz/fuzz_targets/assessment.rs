//! Any text given to the assessment parser, resolved against the rubric it
//! names (the example rubric or a shipped one), then scored, with gaps,
//! explanations and the action plan (the body is
//! `capacity_fuzzing::assessment_text`, run on the seeds by the normal
//! tests).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| capacity_fuzzing::assessment_text(data));
