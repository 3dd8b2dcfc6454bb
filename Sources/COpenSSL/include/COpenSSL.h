#ifndef HTTPCORE_COPENSSL_H
#define HTTPCORE_COPENSSL_H

// OpenSSL for HTTPCoreTLS. Only `OpenSSL.swift` in HTTPCoreTLS calls into this module.
// The functions below wrap names that do not import into Swift (macros over *_ctrl,
// 64-bit option constants, inline helpers); see ../shared/PLATFORM-NOTES.md.

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <stddef.h>
#include <stdint.h>

/// SSL_OP_ALL | NO_COMPRESSION | NO_RENEGOTIATION | NO_TICKET off; never IGNORE_UNEXPECTED_EOF
/// (TLSStream reports truncation itself).
void httpcore_ssl_ctx_set_default_options(SSL_CTX *ctx);
int httpcore_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
int httpcore_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version);
/// SSL_MODE_RELEASE_BUFFERS: an idle connection drops its 34 KiB of record buffers.
void httpcore_ssl_ctx_set_release_buffers(SSL_CTX *ctx);
/// Client-side session cache whose only store is the new-session callback.
void httpcore_ssl_ctx_set_client_session_cache(SSL_CTX *ctx);
/// Server: no session cache and no tickets, so nothing resumes.
void httpcore_ssl_ctx_disable_server_sessions(SSL_CTX *ctx);
int httpcore_ssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *list);
int httpcore_ssl_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *cert);
int httpcore_ssl_set_tlsext_host_name(SSL *ssl, const char *name);
/// The server name the client sent (SNI), or NULL.
const char *httpcore_ssl_get_servername(const SSL *ssl);

int httpcore_err_get_reason(unsigned long code);
int httpcore_err_get_lib(unsigned long code);

/// Writes the name in RFC 2253 form into `buffer` (NUL-terminated, truncated to fit).
/// Returns the length written, or -1.
int httpcore_x509_name_rfc2253(const X509_NAME *name, char *buffer, int size);

#endif
