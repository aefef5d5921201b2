// Shim over PCRE2's 8-bit library (Debian's libpcre2-8-0; headers in libpcre2-dev), for the url { regex } of
// HTTP_GET and SSL_GET. Only the RegexMatch target imports this module. PCRE2's generic names (pcre2_compile …)
// are macros Swift cannot import, so the Swift side calls the `_8` functions they stand for.
#ifndef VIGIL_CPCRE2_SHIM_H
#define VIGIL_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
