package bitnut.dataset;

import java.util.EnumSet;
import java.util.Set;

/** An immutable set of {@link Flag}s, stored as the bit mask {@code bits}. */
public record FlagSet(int bits) {
    public static final FlagSet NONE = new FlagSet(0);

    public static FlagSet of(Iterable<Flag> flags) {
        int b = 0;
        for (Flag f : flags) b |= f.mask();
        return new FlagSet(b);
    }

    public boolean has(Flag f) { return (bits & f.mask()) != 0; }

    public FlagSet with(Flag f) { return new FlagSet(bits | f.mask()); }

    public FlagSet without(Flag f) { return new FlagSet(bits & ~f.mask()); }

    public boolean isEmpty() { return bits == 0; }

    public Set<Flag> toSet() {
        EnumSet<Flag> s = EnumSet.noneOf(Flag.class);
        for (Flag f : Flag.values()) if (has(f)) s.add(f);
        return s;
    }

    @Override public String toString() { return toSet().toString(); }
}
