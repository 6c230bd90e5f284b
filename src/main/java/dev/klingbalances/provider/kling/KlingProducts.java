package dev.klingbalances.provider.kling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import dev.klingbalances.model.Products;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a Kling resource pack pays for, from its name: Kling bills video and image
 * generation from separate packs, and a pack of one never pays for the other. The operator's
 * rules ({@code balances.kling.products}) come first, then the defaults; a name no rule matches
 * is {@code other}, never guessed into a product, and is logged once so an operator learns to
 * add a rule.
 */
final class KlingProducts {

	static final String VIDEO = "video";

	static final String IMAGE = "image";

	/** Every product a Kling pack can be of, in the order its pools are listed. */
	static final List<String> ALL = List.of(VIDEO, IMAGE, Products.OTHER);

	/**
	 * The names Kling's consoles and API use (English and Chinese), trial and promotional packs
	 * included ("Trial-Video-100Units-5Con-1Months"). Video first: a video pack may mention
	 * images ("image to video"), an image pack does not mention video.
	 */
	static final List<KlingProperties.ProductRule> DEFAULTS = List.of(
			new KlingProperties.ProductRule("video|视频|視頻", VIDEO),
			new KlingProperties.ProductRule("image|图片|图像|圖片|圖像|生图|picture", IMAGE));

	/** Distinct unmatched names remembered at most: names come from the upstream, so the set is bounded. */
	private static final int MAX_REMEMBERED = 1000;

	private static final Logger logger = LoggerFactory.getLogger(KlingProducts.class);

	private final List<Rule> rules;

	private final Set<String> unmatched = ConcurrentHashMap.newKeySet();

	/** @param rules the operator's rules (validated by {@link KlingProperties}), tried before the defaults */
	KlingProducts(List<KlingProperties.ProductRule> rules) {
		List<Rule> all = new ArrayList<>();
		rules.forEach((rule) -> all.add(Rule.of(rule)));
		DEFAULTS.forEach((rule) -> all.add(Rule.of(rule)));
		this.rules = List.copyOf(all);
	}

	/** The product of a pack with this name ({@code other} when no rule matches or there is no name). */
	String productOf(@Nullable String packName) {
		if (packName != null) {
			for (Rule rule : this.rules) {
				if (rule.pattern().matcher(packName).find()) {
					return rule.product();
				}
			}
		}
		String name = (packName != null) ? packName : "";
		if (this.unmatched.size() < MAX_REMEMBERED && this.unmatched.add(name)) {
			// A pack name is no secret; it tells the operator which rule to add.
			logger.warn("Kling resource pack '{}' matches no product rule: it counts as '{}' until a "
					+ "balances.kling.products rule says which product it pays for", name, Products.OTHER);
		}
		return Products.OTHER;
	}

	/** How many distinct pack names matched no rule since start (the gauge operators alert on). */
	int unmatched() {
		return this.unmatched.size();
	}

	/** Compiles a rule the way it is matched: anywhere in the name, ignoring case (any script). */
	static Pattern compile(String pattern) {
		return Pattern.compile(pattern, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
	}

	private record Rule(Pattern pattern, String product) {

		static Rule of(KlingProperties.ProductRule rule) {
			return new Rule(compile(rule.pattern()), rule.product().toLowerCase(Locale.ROOT));
		}

	}

}
