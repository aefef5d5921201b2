// Shim over libnl-3 / libnl-genl-3 and the kernel's IPVS generic netlink ABI.
// Only the IPVS target imports this module. Macros that Swift cannot import
// are re-exposed as small inline functions here.
#ifndef VIGIL_CGENL_SHIM_H
#define VIGIL_CGENL_SHIM_H
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/ip_vs.h>
#endif
