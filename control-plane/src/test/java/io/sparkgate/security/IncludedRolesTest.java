package io.sparkgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The role table grants exactly what Spring Security's own hierarchy of the same roles grants, for
 * every combination of roles, with and without authorities that are not roles of ours.
 */
class IncludedRolesTest {

  static final RoleHierarchy SPRING =
      RoleHierarchyImpl.fromHierarchy("ROLE_ADMIN > ROLE_OPERATOR\nROLE_OPERATOR > ROLE_VIEWER");

  @Test
  void everyCombinationReachesWhatSpringsHierarchyReaches() {
    List<String> candidates =
        List.of("ROLE_VIEWER", "ROLE_OPERATOR", "ROLE_ADMIN", "FACTOR_BEARER", "SCOPE_runs");
    IncludedRoles ours = new IncludedRoles();
    for (int mask = 0; mask < 1 << candidates.size(); mask++) {
      List<GrantedAuthority> granted = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        if ((mask & 1 << i) != 0) {
          granted.add(new SimpleGrantedAuthority(candidates.get(i)));
        }
      }
      assertThat(names(ours.getReachableGrantedAuthorities(granted)))
          .as("%s", granted)
          .isEqualTo(names(SPRING.getReachableGrantedAuthorities(granted)));
    }
  }

  @Test
  void anAdminReachesEveryRoleAndAViewerOnlyItsOwn() {
    IncludedRoles roles = new IncludedRoles();
    assertThat(names(roles.getReachableGrantedAuthorities(authorities("ROLE_ADMIN"))))
        .containsExactlyInAnyOrder("ROLE_ADMIN", "ROLE_OPERATOR", "ROLE_VIEWER");
    assertThat(names(roles.getReachableGrantedAuthorities(authorities("ROLE_VIEWER"))))
        .containsExactly("ROLE_VIEWER");
    assertThat(roles.getReachableGrantedAuthorities(List.of())).isEmpty();
  }

  static List<GrantedAuthority> authorities(String... names) {
    return java.util.Arrays.stream(names)
        .map(name -> (GrantedAuthority) new SimpleGrantedAuthority(name))
        .toList();
  }

  static Set<String> names(Collection<? extends GrantedAuthority> authorities) {
    return authorities.stream().map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
  }
}
