package dev.klingbalances.balance;

import java.time.Duration;
import java.time.Instant;

import dev.klingbalances.model.Sha256;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;

/**
 * A value serialized once, with its entity tag (over exactly these bytes) and how long a client
 * may keep it: what a request for an unchanged answer is served from, without any JSON work.
 *
 * @param value what was serialized
 * @param bytes the JSON
 * @param etag strong entity tag, quoted
 * @param cacheableUntil until when the content is fresh (the earliest account's freshness),
 * or null when anything in it is stale or failed: then clients must revalidate
 */
public record PreparedJson<T>(T value, byte[] bytes, String etag, @Nullable Instant cacheableUntil) {

	static <T> PreparedJson<T> of(T value, @Nullable Instant cacheableUntil, JsonMapper jsonMapper) {
		byte[] bytes = jsonMapper.writeValueAsBytes(value);
		return new PreparedJson<>(value, bytes, etag(bytes), cacheableUntil);
	}

	/** Whole seconds a client may reuse the content from {@code now}: 0 unless everything is fresh. */
	public Duration maxAge(Instant now) {
		if (this.cacheableUntil == null || !now.isBefore(this.cacheableUntil)) {
			return Duration.ZERO;
		}
		return Duration.ofSeconds(Duration.between(now, this.cacheableUntil).toSeconds());
	}

	/**
	 * The headers every answer of this content carries, 200 or 304: its entity tag, and that
	 * clients may keep it privately for {@link #maxAge} from {@code now}.
	 */
	public HttpHeaders cacheHeaders(Instant now) {
		HttpHeaders headers = new HttpHeaders();
		headers.setETag(this.etag);
		headers.setCacheControl(CacheControl.maxAge(maxAge(now)).cachePrivate());
		return headers;
	}

	static String etag(byte[] bytes) {
		return "\"" + Sha256.hex(bytes, 16) + "\"";
	}

}
