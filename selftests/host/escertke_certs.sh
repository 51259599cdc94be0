#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Certificates for the ESCertKE tests, made with the OpenSSL CLI into DIR
# (P-256, ECDSA-SHA256, TS-0003 10.1.1): identities in a URI
# subjectAltName, Absolute form.
#   ca.pem            the trust anchor
#   a.pem a.key       //sp.example/CSE-A   (by ca)
#   b.pem b.key       //sp.example/CSE-B   (by ca)
#   ca2.pem           another CA
#   rogue.pem .key    //sp.example/CSE-A   (by ca2: the wrong anchor)
#   x.pem x.key       //sp.example/CSE-X   (by ca: the wrong identity)
#   old.pem old.key   //sp.example/CSE-A   (by ca, expired in 2020)
#   ae.pem ae.key     //sp.example/CSE-B/Cae1 (by ca, an AE-ID)
#   caleaf.pem .key   //sp.example/CSE-C   (by ca, but CA:TRUE)
#   kaleaf.pem .key   //sp.example/CSE-K   (by ca, keyUsage keyAgreement
#                     only: no digitalSignature)
#
#   escertke_certs.sh DIR
set -eu

dir=${1:?DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() {	# name
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1.key" 2>/dev/null
}

ca() {	# name cn
	key "$1"
	openssl req -new -x509 -key "$1.key" -sha256 -days 3650 \
		-subj "/CN=$2" -out "$1.pem" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

ext() {	# uri [basicConstraints [keyUsage]]
	cat <<EOF
basicConstraints=critical,${2:-CA:FALSE}
keyUsage=critical,${3:-digitalSignature}
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=URI:$1
EOF
}

leaf() {	# name ca uri [basicConstraints [keyUsage]]
	key "$1"
	openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
	ext "$3" "${4:-}" "${5:-}" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-CAcreateserial -sha256 -days 30 -extfile "$1.ext" \
		-out "$1.pem" 2>/dev/null
}

ca ca "ESCertKE test CA"
ca ca2 "ESCertKE other CA"
leaf a ca //sp.example/CSE-A
leaf b ca //sp.example/CSE-B
leaf rogue ca2 //sp.example/CSE-A
leaf x ca //sp.example/CSE-X
leaf ae ca //sp.example/CSE-B/Cae1
leaf caleaf ca //sp.example/CSE-C CA:TRUE digitalSignature,keyCertSign
leaf kaleaf ca //sp.example/CSE-K "" keyAgreement
# Peers of the handshakes in parallel (escertke_test many_peers).
for i in 0 1 2 3 4 5; do
	leaf "p$i" ca "//sp.example/CSE-P$i"
done

# Expired: openssl ca sets any dates.
key old
openssl req -new -key old.key -subj "/CN=old" -out old.csr
mkdir -p db
: >db/index.txt
echo 01 >db/serial
cat >ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
EOF
ext //sp.example/CSE-A >old.ext
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
	-startdate 20200101000000Z -enddate 20200201000000Z \
	-extfile old.ext -in old.csr -out old.pem -notext 2>/dev/null
rm -f ./*.csr ./*.ext
