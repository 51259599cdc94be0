// SPDX-License-Identifier: GPL-2.0
/*
 * The module's configuration (defaults for session keys that leave a
 * setting to the module, the upcall's timeouts, the cap on session keys)
 * and its module-wide counters.  Both are read and changed over the
 * generic netlink family.
 */

#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/onem2m_esprim.h>

#include "esprim.h"

static DEFINE_SPINLOCK(esprim_config_lock);
static struct esprim_config esprim_config = {
	.replay = ONEM2M_ESPRIM_REPLAY_AUTO,
	.replay_window = ONEM2M_ESPRIM_REPLAY_WINDOW,
	.hard_invocations = ONEM2M_ESPRIM_MAX_INVOCATIONS,
	.upcall_timeout_ms = 5000,
	.negative_timeout = 5,
	.session_cap = 262144,
};

void esprim_config_get(struct esprim_config *cfg)
{
	spin_lock(&esprim_config_lock);
	*cfg = esprim_config;
	spin_unlock(&esprim_config_lock);
}

void esprim_config_set(const struct esprim_config *cfg)
{
	spin_lock(&esprim_config_lock);
	esprim_config = *cfg;
	spin_unlock(&esprim_config_lock);
}

static DEFINE_PER_CPU(u64 [ESPRIM_STAT_COUNT], esprim_stats);

void esprim_stat_inc(enum esprim_stat stat)
{
	this_cpu_inc(esprim_stats[stat]);
}

u64 esprim_stat_read(enum esprim_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(esprim_stats, cpu)[stat]);
	return sum;
}

void esprim_stats_clear(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu(esprim_stats, cpu), 0, sizeof(esprim_stats));
}
