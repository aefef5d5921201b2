// libnftables, the library behind nft(8): Vigil hands it nft command text (the no_accept drop rules for VIPs).
// Only the HA target imports this module.
#ifndef VIGIL_CNFTABLES_SHIM_H
#define VIGIL_CNFTABLES_SHIM_H
#include <nftables/libnftables.h>
#endif
