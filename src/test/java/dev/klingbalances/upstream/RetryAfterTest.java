package dev.klingbalances.upstream;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

	private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

	private static final Duration MAX = Duration.ofMinutes(10);

	@ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
	@CsvSource(nullValues = "null", textBlock = """
			120,                                       PT2M
			' 7 ',                                     PT7S
			600,                                       PT10M
			601,                                       PT10M
			8640000,                                   PT10M
			999999999999,                              PT10M
			9223372036854775807,                       PT10M
			99999999999999999999999999999999999999999, PT10M
			'Sun, 01 Jun 2025 12:00:30 GMT',           PT30S
			'Sun Jun  1 12:00:30 2025',                PT30S
			'Tue, 01 Jun 2027 12:00:00 GMT',           PT10M
			'Sun, 01 Jun 2025 11:59:00 GMT',           null
			'Sun, 01 Jun 2025 12:00:00 GMT',           null
			0,                                         null
			000,                                       null
			-5,                                        null
			+5,                                        null
			1.5,                                       null
			1e9,                                       null
			soon,                                      null
			'Sunday, 01-Jun-25 12:00:30 GMT',          null
			'',                                        null
			'   ',                                     null
			""")
	void readsDeltaSecondsOrAnHttpDateCutToTheMaximum(String header, Duration expected) {
		assertThat(RetryAfter.parse(header, NOW, MAX)).isEqualTo(expected);
	}

	@Test
	void anAbsentHeaderMeansNoPause() {
		assertThat(RetryAfter.parse(null, NOW, MAX)).isNull();
	}

	@Test
	void neverOverflowsOnAnAbsurdlyLongHeader() {
		assertThat(RetryAfter.parse("9".repeat(100_000), NOW, MAX)).isEqualTo(MAX);
		assertThat(RetryAfter.parse("Sun, " + "9".repeat(100_000), NOW, MAX)).isNull();
	}

}
