package dev.klingbalances.provider.kling;

import java.util.List;

import dev.klingbalances.model.Products;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class KlingProductsTest {

	private final KlingProducts defaults = new KlingProducts(List.of());

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "Video Generation - 10,000 entries | video", "VIDEO GENERATION - 500 | video",
			"视频生成-10000条 | video", "Trial-Video-100Units-5Con-1Months | video", "trial-video-20units | video",
			"可灵视频体验包 | video", "Image Generation - 500 | image", "image generation | image", "图片生成 | image",
			"图像生成-500张 | image", "Trial-Image-50Units-1Months | image" })
	void theDefaultsKnowKlingsEnglishAndChineseNames(String name, String product) {
		assertThat(this.defaults.productOf(name)).isEqualTo(product);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "Lip Sync Pack - 100", "虚拟试穿-100次", "Credits 500", "''" })
	void aNameNoRuleMatchesIsOtherNeverGuessedIntoVideo(String name) {
		assertThat(this.defaults.productOf(name)).isEqualTo(Products.OTHER);
	}

	@Test
	void aPackWithoutNameIsOther() {
		assertThat(this.defaults.productOf(null)).isEqualTo(Products.OTHER);
	}

	@Test
	void theOperatorsRulesComeBeforeTheDefaultsInTheirOrder() {
		KlingProducts products = new KlingProducts(List.of(new KlingProperties.ProductRule("^Promo-Video-Stills", "image"),
				new KlingProperties.ProductRule("lip ?sync|对口型", "video"), new KlingProperties.ProductRule("sync", "other")));
		assertThat(products.productOf("Promo-Video-Stills 200")).as("ahead of the video default").isEqualTo("image");
		assertThat(products.productOf("LIP SYNC Pack - 100")).isEqualTo("video");
		assertThat(products.productOf("对口型-50")).isEqualTo("video");
		assertThat(products.productOf("Video Generation - 500")).isEqualTo("video");
	}

	@Test
	void eachUnmatchedNameIsLoggedOnceAndCounted(CapturedOutput output) {
		KlingProducts products = new KlingProducts(List.of());
		products.productOf("Lip Sync Pack - 100");
		products.productOf("Lip Sync Pack - 100");
		products.productOf("虚拟试穿-100次");
		products.productOf("Video Generation - 500");
		assertThat(products.unmatched()).isEqualTo(2);
		assertThat(output.getOut().split("Kling resource pack 'Lip Sync Pack - 100' matches no product rule", -1))
			.as("logged once").hasSize(2);
		assertThat(output.getOut()).contains("Kling resource pack '虚拟试穿-100次' matches no product rule");
	}

}
