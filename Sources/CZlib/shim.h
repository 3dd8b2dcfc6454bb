// zlib for HTTPCoreDecoding (gzip and deflate). Only Zlib.swift calls into this module.
#include <zlib.h>

// `inflateInit2` and `deflateInit2` are macros (they pass the version and struct size);
// these inline functions give Swift something to call.
static inline int czlib_inflate_init2(z_streamp stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
static inline int czlib_deflate_init2(z_streamp stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
