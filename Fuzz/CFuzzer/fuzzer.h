// libFuzzer's entry point for programs that have their own main (compiler-rt FuzzerInterface.h).
//
// SwiftPM links every executable with `main` aliased to the module's own entry point, so libFuzzer's
// main is never used; each fuzz target's main hands its input callback to this driver instead.
#pragma once
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
