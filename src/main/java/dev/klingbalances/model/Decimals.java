package dev.klingbalances.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One written form per amount: no trailing zeros and never exponent notation ({@code 20},
 * {@code 20.0} and {@code 2E+1} are all {@code 20}), so that equal amounts compare, hash and
 * print alike.
 */
public final class Decimals {

	private Decimals() {
	}

	/** {@code value} without trailing zeros, at scale 0 or more. */
	public static BigDecimal plain(BigDecimal value) {
		BigDecimal stripped = value.stripTrailingZeros();
		return (stripped.scale() < 0) ? stripped.setScale(0) : stripped;
	}

	/** {@code value} rounded half up to at most {@code decimals} decimals, in its {@link #plain} form. */
	public static BigDecimal round(BigDecimal value, int decimals) {
		return plain((value.scale() > decimals) ? value.setScale(decimals, RoundingMode.HALF_UP) : value);
	}

}
