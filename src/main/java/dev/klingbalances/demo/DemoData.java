package dev.klingbalances.demo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * The made-up balances the demo upstreams serve, in the upstreams' own shapes. Times are
 * placed relative to the start of the current UTC day, so every status stays consistent with
 * its dates however long the demo runs. Active packs and points are used up at their own pace
 * per minute of use ({@code used}: minutes since the demo started, times
 * {@code balances.demo.usage}), so the service's history, forecasts and warnings have something
 * to show; one pack of each provider expires within days. The first Kling account holds video
 * and image packs (one of them with a Chinese name), so the split by product shows at once.
 */
final class DemoData {

	/** The useapi.net accounts the demo token can see; the first reports epoch seconds, the second milliseconds. */
	static final List<String> USEAPI_EMAILS = List.of(email("creator.studio"), email("backup.studio"));

	/** useapi.net's {@code ExpireTimeUTC} shape: {@code 2025-01-01T12:13:14.000Z}. */
	private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final ToLongFunction<Instant> SECONDS = Instant::getEpochSecond;

	private static final ToLongFunction<Instant> MILLIS = Instant::toEpochMilli;

	private DemoData() {
	}

	/**
	 * Resource packs of the Kling account at {@code accountIndex} (its position in
	 * {@code balances.kling.accounts}), or {@code null} for an account without packs, which Kling
	 * reports by leaving the list out.
	 */
	static @Nullable List<KlingPack> klingPacks(int accountIndex, Instant now, double used) {
		Instant day = now.truncatedTo(ChronoUnit.DAYS);
		return switch (accountIndex) {
			case 0 -> List.of(
					// In steady use: runs out within a day at the demo's pace.
					pack(0, 1, "Video Generation - 3,000 units", "decreasing_total", 3000, used(1842, 2, used), day, -41,
							324, "online"),
					// Images are billed from packs of their own: this account holds both products, and
					// its video runs out days before its next video pack starts (the first run-out).
					pack(0, 2, "Image Generation - 10,000 units", "decreasing_total", 10000, 0, day, -160, 205, "runOut"),
					pack(0, 6, "图片生成-2000张", "decreasing_total", 2000, used(1460, 1, used), day, -60, 120, "online"),
					pack(0, 3, "Video Generation - 1,000 units", "decreasing_total", 1000, 312, day, -380, -15, "expired"),
					pack(0, 4, "Video Generation - 10,000 units", "decreasing_total", 10000, 10000, day, -1, 371,
							"toBeOnline"),
					// Bought before any sensible lookback window: only a very long window shows it.
					pack(0, 5, "Video Generation - 500 units", "decreasing_total", 500, 0, day, -520, -155, "expired"));
			case 1 -> List.of(
					// Bought 300 days ago and still live: the pack a 30-day window silently drops.
					pack(1, 1, "Video Generation - Monthly 600 units", "constant_period", 600, used(126.5, 0.05, used),
							day, -300, 65, "online"),
					// Expires in 5 days, barely used: most of it will expire unused.
					pack(1, 2, "Video Generation - 500 units", "decreasing_total", 500, used(477, 0.02, used), day, -12,
							5, "online"),
					pack(1, 3, "Virtual Try-On - 1,000 units", "decreasing_total", 1000, 0, day, -70, 295, "runOut"));
			default -> null;
		};
	}

	/** Every demo useapi.net account with its balance, keyed by email in listing order. */
	static Map<String, UseapiAccount> useapiAccounts(Instant now, double used) {
		Instant day = now.truncatedTo(ChronoUnit.DAYS);
		Map<String, UseapiAccount> accounts = new LinkedHashMap<>();
		// A Pro plan renewed 9 days ago plus a short-lived reward, times in epoch seconds.
		Instant proRenewal = day.plus(days(21)).plus(Duration.ofHours(7).plusMinutes(12));
		accounts.put(USEAPI_EMAILS.get(0), new UseapiAccount(USEAPI_EMAILS.get(0),
				session("18430216", day.plus(days(20)).plus(Duration.ofHours(3)), SECONDS), 5,
				new UseapiBalance(List.of(
						point("7391046611", "plan", 300000, (long) used(187550, 40, used), proRenewal.minus(days(30)), proRenewal, SECONDS),
						point("7391046874", "reward", 6600, (long) used(6600, 2, used), day.minus(days(3)), day.plus(days(4)), SECONDS),
						point("7288120954", "plan", 300000, 0, proRenewal.minus(days(60)), proRenewal.minus(days(30)),
								SECONDS)),
						SECONDS.applyAsLong(proRenewal))));
		// A Standard plan close to its renewal, times in epoch milliseconds.
		Instant standardRenewal = day.plus(days(6)).plus(Duration.ofHours(15).plusMinutes(48));
		accounts.put(USEAPI_EMAILS.get(1), new UseapiAccount(USEAPI_EMAILS.get(1),
				session("27719453", day.plus(days(6)).plus(Duration.ofHours(1)), MILLIS), 3,
				new UseapiBalance(List.of(
						point("7402285310", "plan", 66000, (long) used(12340, 10, used), standardRenewal.minus(days(30)), standardRenewal,
								MILLIS)),
						MILLIS.applyAsLong(standardRenewal))));
		return accounts;
	}

	/** What is left of {@code start} after {@code used} minutes at {@code perMinute}, whole units, never below 0. */
	private static double used(double start, double perMinute, double used) {
		return Math.max(0, Math.ceil(start - perMinute * used));
	}

	private static KlingPack pack(int account, int number, String name, String type, double total, double remaining,
			Instant day, int purchasedInDays, int invalidInDays, String status) {
		// An odd time of day, as real purchases have.
		Duration timeOfDay = Duration.ofHours(7 + number).plusMinutes(13L * number).plusMillis(368L * number);
		Instant purchase = day.plus(days(purchasedInDays)).plus(timeOfDay);
		// Packs bought ahead of time start later; the others start on purchase.
		Instant effective = "toBeOnline".equals(status) ? day.plus(days(6)) : purchase;
		Instant invalid = day.plus(days(invalidInDays));
		String id = UUID.nameUUIDFromBytes(("demo-pack-" + account + "-" + number).getBytes(StandardCharsets.UTF_8))
			.toString().replace("-", "");
		return new KlingPack(name, id, type, total, remaining, purchase.toEpochMilli(), effective.toEpochMilli(),
				invalid.toEpochMilli(), status);
	}

	private static UseapiSession session(String userId, Instant expires, ToLongFunction<Instant> unit) {
		return new UseapiSession(userId, unit.applyAsLong(expires),
				ISO_MILLIS.format(expires.truncatedTo(ChronoUnit.SECONDS)));
	}

	private static UseapiPoint point(String orderId, String type, long amount, long balance, Instant start, Instant end,
			ToLongFunction<Instant> unit) {
		return new UseapiPoint(orderId, type, amount, balance, unit.applyAsLong(start), unit.applyAsLong(end));
	}

	/** Addresses under example.com, reserved for documentation: they can never reach anyone. */
	private static String email(String localPart) {
		return localPart + "@example.com";
	}

	private static Duration days(long days) {
		return Duration.ofDays(days);
	}

	/** One element of Kling's {@code resource_pack_subscribe_infos}. */
	record KlingPack(@JsonProperty("resource_pack_name") String name, @JsonProperty("resource_pack_id") String id,
			@JsonProperty("resource_pack_type") String type, @JsonProperty("total_quantity") double totalQuantity,
			@JsonProperty("remaining_quantity") double remainingQuantity,
			@JsonProperty("purchase_time") long purchaseTime, @JsonProperty("effective_time") long effectiveTime,
			@JsonProperty("invalid_time") long invalidTime, @JsonProperty("status") String status) {
	}

	/** A useapi.net Kling account; the listing leaves {@code balance} out. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record UseapiAccount(String email, UseapiSession session, int maxJobs, String password,
			@Nullable UseapiBalance balance) {

		UseapiAccount(String email, UseapiSession session, int maxJobs, UseapiBalance balance) {
			this(email, session, maxJobs, "…secured…", balance);
		}

		UseapiAccount withoutBalance() {
			return new UseapiAccount(this.email, this.session, this.maxJobs, this.password, null);
		}

	}

	record UseapiSession(String userId, @JsonProperty("ExpireTime") long expireTime,
			@JsonProperty("ExpireTimeUTC") String expireTimeUtc) {
	}

	record UseapiBalance(List<UseapiPoint> points, List<Object> tickets, long nextApplyTime, long total) {

		/** No tickets, and a total that is the sum of the points' balances, as useapi.net reports it. */
		UseapiBalance(List<UseapiPoint> points, long nextApplyTime) {
			this(points, List.of(), nextApplyTime, points.stream().mapToLong(UseapiPoint::balance).sum());
		}

	}

	record UseapiPoint(String orderId, String type, long amount, long balance, long startTime, long endTime) {
	}

}
