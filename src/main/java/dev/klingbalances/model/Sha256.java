package dev.klingbalances.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one digest this service uses: for API keys, ETags and one-way names. */
public final class Sha256 {

	private Sha256() {
	}

	/** The digest of {@code bytes}. */
	public static byte[] of(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			// Every JVM must have it (MessageDigest's contract).
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	/** The digest of {@code text}'s UTF-8 bytes. */
	public static byte[] of(String text) {
		return of(text.getBytes(StandardCharsets.UTF_8));
	}

	/** The first {@code bytes} bytes of the digest of {@code input}, in lower-case hex. */
	public static String hex(byte[] input, int bytes) {
		return HexFormat.of().formatHex(of(input), 0, bytes);
	}

	/** The first {@code bytes} bytes of the digest of {@code text}'s UTF-8 bytes, in lower-case hex. */
	public static String hex(String text, int bytes) {
		return hex(text.getBytes(StandardCharsets.UTF_8), bytes);
	}

}
