package dev.klingbalances.model;

import io.swagger.v3.oas.annotations.media.Schema;

/** Lifecycle of a grant (a Kling resource pack, a useapi.net points entry). */
@Schema(enumAsRef = true, description = """
		Normalized lifecycle of a grant. ACTIVE: usable now, the only status counted in an account's \
		remaining and total; PENDING: bought but not yet in effect; EXPIRED; EXHAUSTED: used up; \
		UNKNOWN: a status the upstream introduced later (see rawStatus).""")
public enum GrantStatus {

	/** Usable now; the only status counted in an account's remaining and total. */
	ACTIVE,
	/** Bought but not yet in effect. */
	PENDING,
	EXPIRED,
	/** Used up. */
	EXHAUSTED,
	/** A status the upstream introduced after this service was written; the raw value is kept. */
	UNKNOWN

}
