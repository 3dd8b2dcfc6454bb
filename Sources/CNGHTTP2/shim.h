// libnghttp2 for HTTPCoreHTTP2. Only NGHTTP2Session.swift calls into this module.
#include <nghttp2/nghttp2.h>
