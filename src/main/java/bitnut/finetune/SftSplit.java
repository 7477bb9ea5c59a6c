package bitnut.finetune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The held-out validation split: a seeded shuffle, then the first {@code fraction} of examples are
 * held out (at least one when the fraction is positive and there are two or more examples). Same
 * seed, same data -> same split, so a resumed run validates on the same examples.
 */
public record SftSplit(List<SftExample> train, List<SftExample> validation) {

    public static SftSplit of(List<SftExample> examples, double fraction, long seed) {
        if (fraction < 0 || fraction >= 1) throw new IllegalArgumentException("validation fraction must be in [0, 1): " + fraction);
        List<SftExample> order = new ArrayList<>(examples);
        Collections.shuffle(order, new Random(seed));
        int k = (int) Math.round(order.size() * fraction);
        if (fraction > 0 && k == 0 && order.size() >= 2) k = 1;
        return new SftSplit(List.copyOf(order.subList(k, order.size())), List.copyOf(order.subList(0, k)));
    }
}
