// The brotli decoder for HTTPCoreDecoding (`br`). Only BrotliDecoder.swift calls into this module.
#include <brotli/decode.h>
