#!/usr/bin/env bash
# Generates the throwaway PKI the TLS tests use: EC P-256 keys, SHA-256 signatures, PEM.
#
#   scripts/make-test-pki.sh DIR
#
# Writes X.pem (certificate) and X.key (unencrypted PKCS#8 key) into DIR for:
#   ca             root CA "httpcore test CA" (the one tests trust)
#   intermediate   intermediate CA signed by ca (pathlen 0)
#   good           leaf by ca, SAN DNS:good.test DNS:localhost, EKU serverAuth+clientAuth
#   chain-leaf     leaf by intermediate, SAN DNS:localhost
#                  (+ chain-leaf-bundle.pem: chain-leaf cert then intermediate cert)
#   wronghost      leaf by ca, SAN DNS:wrong.test only
#   expired        leaf by ca, SAN localhost+good.test, valid 2020-01-01 .. 2021-01-01
#   notyetvalid    leaf by ca, SAN localhost+good.test, valid 2090-01-01 .. 2095-01-01
#   selfsigned     self-signed leaf (CA:FALSE), SAN DNS:localhost
#   otherca        a second root CA that tests never trust
#   unknownca      leaf by otherca, SAN DNS:localhost
#   cnonly         leaf by ca, subject CN=localhost, no subjectAltName extension
#   ipsan          leaf by ca, SAN IP:127.0.0.1 IP:::1 only
#   client         client certificate by ca, CN "httpcore test client", EKU clientAuth
#
# Root CAs are valid 2019-01-01 .. 2099-12-31 so that the expired and not-yet-valid
# leaves fail only because of their own dates (also under `openssl verify -attime`).
# Current leaves are valid from a day ago for 3650 days.
#
# Only the openssl CLI is used. Signing goes through `openssl ca`, the one 3.0 command
# that takes explicit start dates. Its scratch files live in a temporary directory inside
# DIR that is removed on exit. Quiet on success; on failure the openssl output is printed.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "$out/.pki-work.XXXXXX")
log="$work/openssl.log"
trap 'rm -rf "$work"' EXIT

# Runs one openssl command with its chatter sent to a log; on failure shows that output.
run() {
    if ! "$@" >"$log" 2>&1; then
        echo "make-test-pki.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

now_minus_1d=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
now_plus_3650d=$(date -u -d '+3650 days' +%Y%m%d%H%M%SZ)

# Our own config for every command, so Debian's /etc/ssl/openssl.cnf (policy_match,
# demoCA paths, ...) plays no part.
mkdir -p "$work/newcerts"
: >"$work/index.txt"
cat >"$work/openssl.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir              = $work
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
rand_serial      = yes
unique_subject   = no
default_md       = sha256
default_days     = 3650
policy           = policy_any
copy_extensions  = none
email_in_dn      = no
preserve         = yes

[ policy_any ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt             = no
string_mask        = utf8only

[ req_dn ]
CN = placeholder

[ root_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ intermediate_ca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_base ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ good ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:good.test, DNS:localhost

[ localhost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost

[ localhost_good ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, DNS:good.test

[ wronghost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:wrong.test

[ selfsigned ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:localhost

[ cnonly ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ipsan ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = IP:127.0.0.1, IP:::1

[ client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
export OPENSSL_CONF="$work/openssl.cnf"

# key NAME: a fresh P-256 key in DIR/NAME.key.
key() {
    run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$out/$1.key"
}

# csr NAME CN: a request for DIR/NAME.key (its extensions are ignored: copy_extensions = none).
csr() {
    run openssl req -new -key "$out/$1.key" -subj "/CN=$2" -sha256 -out "$work/$1.csr"
}

# sign NAME ISSUER SECTION START END: DIR/NAME.pem from NAME's request, signed by ISSUER
# ("self" for a self-signed certificate), with extensions from SECTION.
sign() {
    local name=$1 issuer=$2 section=$3 start=$4 end=$5
    local signer=()
    if [ "$issuer" = self ]; then
        signer=(-selfsign -keyfile "$out/$name.key")
    else
        signer=(-cert "$out/$issuer.pem" -keyfile "$out/$issuer.key")
    fi
    run openssl ca -batch -notext -md sha256 "${signer[@]}" \
        -extensions "$section" -startdate "$start" -enddate "$end" \
        -in "$work/$name.csr" -out "$out/$name.pem"
}

# leaf NAME CN ISSUER SECTION [START END]
leaf() {
    key "$1"
    csr "$1" "$2"
    sign "$1" "$3" "$4" "${5:-$now_minus_1d}" "${6:-$now_plus_3650d}"
}

ca_start=20190101000000Z
ca_end=20991231235959Z

key ca
csr ca "httpcore test CA"
sign ca self root_ca "$ca_start" "$ca_end"

key otherca
csr otherca "httpcore other test CA"
sign otherca self root_ca "$ca_start" "$ca_end"

key intermediate
csr intermediate "httpcore test intermediate CA"
sign intermediate ca intermediate_ca "$ca_start" "$ca_end"

# Leaves other than cnonly carry a Common Name that is not a host name, so a name check
# can only pass through subjectAltName.
leaf good "httpcore test good" ca good
leaf chain-leaf "httpcore test chain-leaf" intermediate localhost
leaf wronghost "httpcore test wronghost" ca wronghost
leaf expired "httpcore test expired" ca localhost_good 20200101000000Z 20210101000000Z
leaf notyetvalid "httpcore test notyetvalid" ca localhost_good 20900101000000Z 20950101000000Z
leaf selfsigned "httpcore test selfsigned" self selfsigned
leaf unknownca "httpcore test unknownca" otherca localhost
leaf cnonly "localhost" ca cnonly
leaf ipsan "httpcore test ipsan" ca ipsan
leaf client "httpcore test client" ca client

cat "$out/chain-leaf.pem" "$out/intermediate.pem" >"$out/chain-leaf-bundle.pem"
