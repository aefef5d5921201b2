// Header-only shim for Linux definitions the Glibc Swift overlay does not
// expose (AF_PACKET addresses, rtnetlink helper macros, epoll and eventfd). No logic lives here.
#ifndef VIGIL_CLINUX_H
#define VIGIL_CLINUX_H
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
