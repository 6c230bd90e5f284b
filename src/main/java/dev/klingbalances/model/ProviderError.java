package dev.klingbalances.model;

import io.swagger.v3.oas.annotations.media.Schema;

/** A provider whose account list could not be read, so its accounts cannot be listed. */
@Schema(description = "A provider whose account list (useapi.net discovery) could not be read")
public record ProviderError(@Schema(description = "Provider name", example = "useapi") String provider,
		@Schema(description = "Why the account list could not be read") AccountError error) {
}
