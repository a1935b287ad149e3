/* Private to core/wizard*.c. */
#ifndef KD_WIZARD_INT_H
#define KD_WIZARD_INT_H

#include "core/wizard.h"

struct kd_wizard {
	struct kd_store *st;
	const struct kd_config *cfg;
	struct kd_draft d;
	enum kd_step step;
	enum kd_key_type settings_type;	/* the type draft.settings is for */
	char	 err[KD_NFIELDS][160];
};

int	wizard_step_applies(const struct kd_wizard *, enum kd_step);
int	wizard_check_step(struct kd_wizard *, enum kd_step);

#endif
