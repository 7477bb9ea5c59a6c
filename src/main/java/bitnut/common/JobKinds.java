package bitnut.common;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Registry of job kinds that can be recreated from their saved {@link Job#spec()} to resume after
 * the process died. Stages register their resumable kinds once (static initializer of the service
 * that makes the job); the executor looks them up when the user presses Resume.
 */
public final class JobKinds {
    /** (workspace root, saved spec) -> job that continues from its last durable state. */
    public interface Resumer extends BiFunction<java.nio.file.Path, Map<String, Object>, Job> { }

    private static final Map<String, Resumer> RESUMERS = new ConcurrentHashMap<>();

    private JobKinds() { }

    public static void register(String kind, Resumer resumer) { RESUMERS.put(kind, resumer); }

    public static Optional<Resumer> resumer(String kind) { return Optional.ofNullable(RESUMERS.get(kind)); }
}
