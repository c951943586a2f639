// CLibArchive: libarchive's headers for Swift, plus constants for the cast macros that do not import.
#ifndef LIFEBOAT_CLIBARCHIVE_SHIM_H
#define LIFEBOAT_CLIBARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

// AE_IF* are cast macros (`((__LA_MODE_T)0100000)`), which Swift does not import.
static const unsigned int lifeboat_ae_ifmt = AE_IFMT;
static const unsigned int lifeboat_ae_ifreg = AE_IFREG;
static const unsigned int lifeboat_ae_ifdir = AE_IFDIR;
static const unsigned int lifeboat_ae_iflnk = AE_IFLNK;

// libarchive 3.6.2 converts entry names through the calling thread's LC_CTYPE. Under the "C" locale a
// non-ASCII UTF-8 name makes the pax writer crash (strlen(NULL)) and the reader warn, so ArchiveIO switches
// the calling thread to this locale around header work. NULL if the system has no C.UTF-8 locale.
static inline locale_t lifeboat_new_utf8_ctype_locale(void) {
    return newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

#endif
