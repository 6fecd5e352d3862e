package io.moe4j.route;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteSpecTest {

    @Test
    void aPolicyWithoutLayersAppliesEverywhere() {
        RouteSpec spec = RouteSpec.parse("topk:2");
        assertThat(spec.forLayer(0)).hasToString("topk:2");
        assertThat(spec.forLayer(17)).hasToString("topk:2");
        assertThat(spec.isNative()).isFalse();
    }

    @Test
    void laterPartsOverrideEarlierOnesOnTheirLayers() {
        RouteSpec spec = RouteSpec.parse(" topp:0.6,min=1,max=8 ; layers=0-1:native ;layers=3,5:topk:3");
        assertThat(spec.forLayer(0)).isInstanceOf(NativeRouter.class);
        assertThat(spec.forLayer(1)).isInstanceOf(NativeRouter.class);
        assertThat(spec.forLayer(2)).hasToString("topp:0.6,max=8");
        assertThat(spec.forLayer(3)).hasToString("topk:3");
        assertThat(spec.forLayer(4)).hasToString("topp:0.6,max=8");
        assertThat(spec.forLayer(5)).hasToString("topk:3");
        assertThat(spec).hasToString("topp:0.6,min=1,max=8;layers=0-1:native;layers=3,5:topk:3");
    }

    @Test
    void layersNoPartNamesRouteNatively() {
        RouteSpec spec = RouteSpec.parse("layers=2:topk:1");
        assertThat(spec.forLayer(1)).isInstanceOf(NativeRouter.class);
        assertThat(spec.forLayer(2)).hasToString("topk:1");
    }

    @Test
    void bansWrapTheLayersPolicyWhereverTheyAppear() {
        RouteSpec spec = RouteSpec.parse("ban:2/7;topk:3;ban:2/9");
        assertThat(spec.forLayer(2)).isInstanceOf(BanRouter.class).hasToString("topk:3 without experts 7,9");
        assertThat(((BanRouter) spec.forLayer(2)).policy()).hasToString("topk:3");
        assertThat(spec.forLayer(1)).hasToString("topk:3");
        assertThat(RouteSpec.parse("native;ban:0/1").isNative()).isFalse();
        assertThat(RouteSpec.parse("native;layers=0:native").isNative()).isTrue();
    }

    @Test
    void everyPolicyParsesWithItsOptions() {
        assertThat(RouteSpec.parse("threshold:0.1,k=8").forLayer(0)).hasToString("threshold:0.1,k=8");
        assertThat(RouteSpec.parse("budget:2.5").forLayer(0)).hasToString("budget:2.5");
        assertThat(RouteSpec.parse("budget:2.5,max=6").forLayer(0)).hasToString("budget:2.5,max=6");
        assertThat(RouteSpec.parse("random:4,seed=9").forLayer(0)).hasToString("random:4,seed=9");
        assertThat(RouteSpec.parse("random:4").forLayer(0)).hasToString("random:4,seed=0");
        assertThat(RouteSpec.parse("topp:0.5,min=2").forLayer(0)).hasToString("topp:0.5,min=2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "topp:1.5|bad --route part 'topp:1.5': P must be in (0, 1], got 1.5",
            "native;topp:1.5;topk:2|bad --route part 'topp:1.5': P must be in (0, 1], got 1.5",
            "topk:0|bad --route part 'topk:0': K must be at least 1, got 0",
            "topk:two|bad --route part 'topk:two': K must be a whole number, got 'two'",
            "topk|bad --route part 'topk': topk needs K, as in topk:2",
            "topp:0.5,mni=2|bad --route part 'topp:0.5,mni=2': unknown option 'mni' for topp",
            "topp:0.5,2|bad --route part 'topp:0.5,2': expected key=value after the first argument of topp, got '2'",
            "fastest|bad --route part 'fastest': unknown policy 'fastest' (expected native, topk:K, topp:P, threshold:T, budget:B, random:K or ban:L/E)",
            "native:2|bad --route part 'native:2': native takes no arguments",
            "topk,2|bad --route part 'topk,2': expected ':' after the policy name, as in topk:2 or topp:0.6,max=8",
            "threshold:1|bad --route part 'threshold:1': T must be in [0, 1), got 1.0",
            "budget:0.5|bad --route part 'budget:0.5': B must be a number of at least 1 (every token needs one expert), got 0.5",
            "random:2,seed=x|bad --route part 'random:2,seed=x': seed must be a whole number, got 'x'",
            "ban:2|bad --route part 'ban:2': expected ban:L/E (layer / expert), as in ban:2/7",
            "ban:2/-1|bad --route part 'ban:2/-1': expert must be a whole number ≥ 0, got '-1'",
            "layers=3-1:native|bad --route part 'layers=3-1:native': layer range 3-1 runs backwards",
            "layers=a:native|bad --route part 'layers=a:native': layer must be a whole number ≥ 0, got 'a'",
            "layers=1|bad --route part 'layers=1': layers= must be followed by ':' and a policy, as in layers=0-1:native",
            "layers=1:ban:1/2|bad --route part 'layers=1:ban:1/2': ban names its layer itself (ban:L/E); it takes no layers=",
            "topk:2;|bad --route part '': empty part (two ';' in a row, or one at an end)",
    })
    void badPartsAreNamedInOneLine(String spec, String message) {
        assertThatThrownBy(() -> RouteSpec.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void anEmptySpecIsAnError() {
        assertThatThrownBy(() -> RouteSpec.parse("  ")).hasMessage("empty --route spec: give a policy such as native, topk:2 or topp:0.6");
    }

    @Test
    void errorsNameTheOptionTheSpecCameFrom() {
        assertThatThrownBy(() -> RouteSpec.parse("topk:0", "--contrast weak")).hasMessageStartingWith("bad --contrast weak part 'topk:0': ");
    }

    @Test
    void validationChecksLayersAndExpertsAgainstTheModel() {
        assertThat(RouteSpec.parse("layers=0-4:topk:1;ban:4/31").validate(5, 32)).isNotNull();
        assertThatThrownBy(() -> RouteSpec.parse("layers=3-5:topk:1").validate(5, 32))
                .hasMessage("bad --route part 'layers=3-5:topk:1': layer 5 does not exist (the model has 5 MoE layers, 0-4)");
        assertThatThrownBy(() -> RouteSpec.parse("ban:7/3").validate(5, 32))
                .hasMessage("bad --route part 'ban:7/3': layer 7 does not exist (the model has 5 MoE layers, 0-4)");
        assertThatThrownBy(() -> RouteSpec.parse("ban:1/32").validate(5, 32))
                .hasMessage("bad --route part 'ban:1/32': expert 32 does not exist (the model has 32 experts, 0-31)");
        assertThatThrownBy(() -> RouteSpec.parse("ban:1/0;ban:1/1").validate(5, 2))
                .hasMessage("bad --route part 'ban:1/1': bans every expert of layer 1");
    }
}
