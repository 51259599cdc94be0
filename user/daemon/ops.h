/* SPDX-License-Identifier: GPL-2.0 */
/* The socket API's operations (Documentation/esprimd-socket.md). */
#ifndef ESPRIMD_OPS_H
#define ESPRIMD_OPS_H

#include "api.h"

extern const struct esprimd_api_op esprimd_ops[];

#endif /* ESPRIMD_OPS_H */
