package dev.klingbalances.upstream;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Reads an upstream's {@code Retry-After} header (RFC 9110, section 10.2.3) for every provider:
 * delta-seconds or an HTTP date, cut to a configured maximum so that a broken or hostile value
 * ({@code Retry-After: 8640000}) cannot freeze an account for months.
 */
public final class RetryAfter {

	/** More digits than this are over any sensible maximum: capped without being parsed. */
	private static final int MAX_DIGITS = 12;

	/** An HTTP date is 29 characters (IMF-fixdate); anything much longer is not one. */
	private static final int MAX_DATE_LENGTH = 64;

	/**
	 * IMF-fixdate, then the obsolete asctime form. The obsolete RFC 850 form is not read: its
	 * two-digit year is ambiguous, and an unreadable header only means no extra pause.
	 */
	private static final List<DateTimeFormatter> HTTP_DATES = List.of(DateTimeFormatter.RFC_1123_DATE_TIME,
			DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

	private RetryAfter() {
	}

	/**
	 * @param header the header's value, or null when absent
	 * @param now the current time, for an HTTP date
	 * @param max the longest pause honoured; a longer one is cut to this
	 * @return how long to pause, at most {@code max}; null when the header is absent or
	 * unreadable, or asks for no pause (zero, or a date already past)
	 */
	public static @Nullable Duration parse(@Nullable String header, Instant now, Duration max) {
		if (header == null || header.isBlank()) {
			return null;
		}
		String value = header.strip();
		Duration pause = isDigits(value) ? deltaSeconds(value, max) : untilDate(value, now);
		if (pause == null || pause.isNegative() || pause.isZero()) {
			return null;
		}
		return (pause.compareTo(max) > 0) ? max : pause;
	}

	private static Duration deltaSeconds(String digits, Duration max) {
		// Long enough to overflow a long (or Duration's nanoseconds): certainly over the maximum.
		return (digits.length() > MAX_DIGITS) ? max : Duration.ofSeconds(Long.parseLong(digits));
	}

	private static @Nullable Duration untilDate(String value, Instant now) {
		if (value.length() > MAX_DATE_LENGTH) {
			return null;
		}
		for (DateTimeFormatter format : HTTP_DATES) {
			try {
				return Duration.between(now, format.parse(value, Instant::from));
			}
			catch (DateTimeException ex) {
				// not this form; try the next
			}
		}
		return null;
	}

	private static boolean isDigits(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				return false;
			}
		}
		return true;
	}

}
