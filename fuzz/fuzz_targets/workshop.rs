//! Structure-aware: the fuzzer's bytes become a `capacity_fuzzing::Workshop`
//! (through `arbitrary`), always a valid assessment of a shipped rubric,
//! so that every input reaches scoring, gaps, explanations and the plan
//! (the body is `capacity_fuzzing::workshop_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| capacity_fuzzing::workshop_bytes(data));
