package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** One block of capacity on an account: a Kling resource pack, or a useapi.net points entry. */
@Schema(description = "One block of capacity: a Kling resource pack or a useapi.net (Kling web) points entry.")
public record Grant(
		@Schema(description = "Upstream id of the pack or order", example = "509f3fd3d4ab4a3f9eec5db27aa44f27", nullable = true) @Nullable String id,
		@Schema(description = "Upstream name of the pack, byte for byte as the upstream sent it", example = "Video Generation - 10,000 entries", nullable = true) @Nullable String name,
		@Schema(description = "What the grant pays for, as its provider decides it (a Kling pack from its name); capacity of one product never pays for another", example = "video") String product,
		@Schema(description = "Upstream type, as reported (Kling: decreasing_total, constant_period; useapi.net: e.g. plan)", example = "decreasing_total", nullable = true) @Nullable String type,
		@Schema(description = "Normalized status; only ACTIVE grants count in an account's remaining and total") GrantStatus status,
		@Schema(description = "Status exactly as the upstream reported it (null when the upstream has none and it was derived)", example = "online", nullable = true) @Nullable String rawStatus,
		@Schema(description = "Capacity the grant started with", example = "200.0", nullable = true) @Nullable BigDecimal total,
		@Schema(description = "Capacity left", example = "118.0", nullable = true) @Nullable BigDecimal remaining,
		@Schema(description = "When the grant takes or took effect (UTC)", nullable = true) @Nullable Instant startsAt,
		@Schema(description = "When the grant expires (UTC)", nullable = true) @Nullable Instant expiresAt) {

	public Grant {
		// A grant read back from a shared store written before products existed.
		product = (product != null && !product.isBlank()) ? product : Products.OTHER;
	}

	/** The same grant with another status (the product and figures unchanged). */
	Grant withStatus(GrantStatus status) {
		return new Grant(this.id, this.name, this.product, this.type, status, this.rawStatus, this.total,
				this.remaining, this.startsAt, this.expiresAt);
	}

}
