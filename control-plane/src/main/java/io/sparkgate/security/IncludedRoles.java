package io.sparkgate.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The role hierarchy of {@link Role}: each role includes the ones below it (admin, operator,
 * viewer). It gives what Spring Security's {@code RoleHierarchyImpl} gives for that hierarchy, from
 * a table built once: that one walks its hierarchy and formats a debug message for every
 * authorization decision, a few percent of a cheap request's CPU time.
 */
final class IncludedRoles implements RoleHierarchy {

  /** For each role's authority, it and the authorities of the roles below it, highest first. */
  private static final Map<String, List<GrantedAuthority>> REACHABLE =
      Stream.of(Role.values())
          .collect(
              Collectors.toUnmodifiableMap(
                  Role::authority,
                  role ->
                      Stream.of(Role.values())
                          .filter(included -> included.ordinal() <= role.ordinal())
                          .sorted((a, b) -> b.ordinal() - a.ordinal())
                          .map(IncludedRoles::authority)
                          .toList()));

  private static GrantedAuthority authority(Role role) {
    return new SimpleGrantedAuthority(role.authority());
  }

  @Override
  public Collection<? extends GrantedAuthority> getReachableGrantedAuthorities(
      Collection<? extends GrantedAuthority> authorities) {
    if (authorities == null || authorities.isEmpty()) {
      return List.of();
    }
    if (authorities.size() == 1) {
      GrantedAuthority only = authorities.iterator().next();
      List<GrantedAuthority> reachable = REACHABLE.get(only.getAuthority());
      return reachable != null ? reachable : List.of(only);
    }
    Set<GrantedAuthority> reachable = new LinkedHashSet<>();
    for (GrantedAuthority authority : authorities) {
      reachable.add(authority);
      reachable.addAll(REACHABLE.getOrDefault(authority.getAuthority(), List.of()));
    }
    return new ArrayList<>(reachable);
  }
}
