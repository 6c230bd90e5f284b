package dev.klingbalances.balance;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The accounts one consumer may see: {@code provider/account} patterns, where {@code *} stands
 * for any run of characters (none included) and every other character stands for itself; a
 * pattern matches an account when it matches the whole provider name and the whole account
 * name. No pattern at all means every account.
 * <p>
 * Answers are prepared once per scope (its {@link #key()}), never per request, and a scope's
 * answers never hold an account outside it.
 */
public final class AccountScope {

	/** Every account: consumers without patterns, and open mode. */
	public static final AccountScope ALL = new AccountScope(List.of());

	/** What a pattern may look like: a provider part and an account part, without controls or spaces. */
	private static final Pattern SYNTAX = Pattern.compile("[^/\\s\\p{Cntrl}]+/[^/\\s\\p{Cntrl}]+");

	private final List<String> patterns;

	private final List<Pattern[]> compiled;

	private final String key;

	private AccountScope(List<String> patterns) {
		this.patterns = List.copyOf(patterns);
		this.compiled = this.patterns.stream().map((pattern) -> {
			int slash = pattern.indexOf('/');
			return new Pattern[] { glob(pattern.substring(0, slash)), glob(pattern.substring(slash + 1)) };
		}).toList();
		this.key = this.patterns.stream().sorted().distinct().collect(Collectors.joining("\n"));
	}

	/**
	 * @param patterns {@code provider/account} patterns; empty for every account
	 * @throws IllegalArgumentException naming the first malformed pattern's position
	 */
	public static AccountScope of(List<String> patterns) {
		for (int i = 0; i < patterns.size(); i++) {
			String reason = malformed(patterns.get(i));
			if (reason != null) {
				throw new IllegalArgumentException("[" + i + "] " + reason);
			}
		}
		return patterns.isEmpty() ? ALL : new AccountScope(patterns);
	}

	/** Why a pattern is malformed, or null when it is well formed. */
	public static String malformed(String pattern) {
		if (pattern == null || !SYNTAX.matcher(pattern).matches()) {
			return "must be 'provider/account' (each part non-empty, one '/', no spaces or control characters; "
					+ "'*' matches any run of characters), e.g. kling/* or useapi/render.*@example.org";
		}
		return null;
	}

	/** Whether this scope holds every account. */
	public boolean isAll() {
		return this.patterns.isEmpty();
	}

	/** The patterns, as configured. */
	public List<String> patterns() {
		return this.patterns;
	}

	/** Identifies the scope: equal for scopes with the same patterns, empty for every account. */
	public String key() {
		return this.key;
	}

	/** Whether the account is in this scope. */
	public boolean includes(String provider, String account) {
		return isAll() || this.compiled.stream()
			.anyMatch((pattern) -> pattern[0].matcher(provider).matches() && pattern[1].matcher(account).matches());
	}

	/** Whether some account of the provider may be in this scope. */
	public boolean mayInclude(String provider) {
		return isAll() || this.compiled.stream().anyMatch((pattern) -> pattern[0].matcher(provider).matches());
	}

	/** Whether one pattern matches the account (for the start-up check of patterns that match nothing). */
	public static boolean matches(String pattern, String provider, String account) {
		return new AccountScope(List.of(pattern)).includes(provider, account);
	}

	private static Pattern glob(String glob) {
		StringBuilder regex = new StringBuilder();
		String[] literals = glob.split("\\*", -1);
		for (int i = 0; i < literals.length; i++) {
			regex.append((i > 0) ? ".*" : "");
			regex.append(literals[i].isEmpty() ? "" : Pattern.quote(literals[i]));
		}
		return Pattern.compile(regex.toString(), Pattern.DOTALL);
	}

	/** A principal that carries the consumer's scope (the authenticated API key). */
	public interface Scoped {

		AccountScope scope();

	}

	@Override
	public String toString() {
		return "AccountScope" + this.patterns;
	}

}
