// PBKDF2 hashes written down once from an implementation other than Midge's (Python's hashlib.pbkdf2_hmac):
//   auth-plug: PBKDF2-SHA256, 901 rounds, the salt's text as written, 24-byte key; password 'secret'.
//   go-auth:   PBKDF2-SHA512, 100000 rounds, the base64-decoded salt, 64-byte key; password 'correct horse'.
// The auth-plug salt is itself valid base64, so only the salt encoding decides which reading matches.
export const AUTH_PLUG_PBKDF2 = 'PBKDF2$sha256$901$pN94c3+KCcNvIV1v$uoHSrWvSYGRCAMi+BwNWPGfIl95T9iF4';
export const GO_AUTH_PBKDF2 =
  'PBKDF2$sha512$100000$bWlkZ2Utc2FsdC0xNmJ5dA==$mvv2FKt+IGEgTZ3lxiWLusf+XzESDoqq8rHSNhIEdbKPGVBVWtC53TnJvcAwrX8LNpY9oRgJdW69b9w2lKfUTg==';
/** auth-plug style with a salt that is not base64 ('not-base64!'); password 'plain'. */
export const LITERAL_ONLY_PBKDF2 = 'PBKDF2$sha256$901$not-base64!$M3OrPDzNl/EjVQv+DsHg19JviBJE2i0j';
