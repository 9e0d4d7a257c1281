// libxml2's HTML parser and tree API.
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, whose headers clash with the copy of ICU Foundation
// bundles. Only xmlCharEncodingHandler's layout depends on it, and nothing here touches that.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
