/*
 * libFuzzer harness for the YAML configuration loader (config/: libyaml
 * events, the schema walk, every value parser, the node and depth limits
 * that stop billion-laughs and deep nesting).
 *
 * Input: the text of a configuration file, loaded from memory with
 * config_load_string into fresh defaults.  An error must come with a
 * message; success or failure, nothing may leak.  See tests/fuzz/README.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_config *cfg;
	struct kd_err e;

	if ((cfg = config_new()) == NULL)
		return 0;
	e.msg[0] = '\0';
	if (config_load_string(cfg, "fuzz.yaml", (const char *)data, size,
	    &e) != KD_OK && e.msg[0] == '\0')
		abort();
	config_free(&cfg);
	return 0;
}
