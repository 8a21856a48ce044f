//! K&R definitions (old zlib style): the names in the parameter list take
//! their types from the declarations between the header and the body, a
//! name none declares is an `int` (C89); an export macro (`ZEXPORT`) may
//! stand before the name.
//- /zconf.h
#define ZEXPORT
typedef unsigned char Bytef;
typedef unsigned int uInt;
//- /zutil.c
#include "zconf.h"

/* Copy len bytes from source to dest. */
void ZEXPORT zmemcpy(dest, source, len)
    Bytef* dest;
    const Bytef* source;
    uInt  len;
{
    if (len == 0) return;
    do {
        *dest++ = *source++;
    } while (--len != 0);
}

static int twice(a, b, n)
    int a;
    char *b, **c;
{
    return a + *b + n;
}
