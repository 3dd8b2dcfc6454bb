// libzstd for HTTPCoreDecoding (`zstd`). Only Zstd.swift calls into this module.
#include <zstd.h>
