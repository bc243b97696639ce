package dataflowlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * The login of the lab's SQL endpoint (Spark's Thrift server with
 * hive.server2.authentication=CUSTOM): a user and password pass when they are a `user:password`
 * line of the file that LAB_SQL_USERS names, which the lab mounts from a generated secret. Hive's
 * own choices do not fit: LDAP needs a directory server, PAM a native library the image lacks,
 * NONE takes any password. The password is compared in constant time, and the file is read at
 * each login.
 *
 * @see <a href="https://cwiki.apache.org/confluence/display/Hive/Setting+Up+HiveServer2#SettingUpHiveServer2-Authentication/SecurityConfiguration">HiveServer2 custom authentication</a>
 */
public final class PasswordFileAuthenticator implements PasswdAuthenticationProvider {
  static final String USERS_FILE = "LAB_SQL_USERS";

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    String file = System.getenv(USERS_FILE);
    if (file == null || user == null || password == null) {
      throw new AuthenticationException("login refused");
    }
    try {
      for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
        int colon = line.indexOf(':');
        if (colon > 0
            && line.substring(0, colon).equals(user)
            && MessageDigest.isEqual(
                line.substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8))) {
          return;
        }
      }
    } catch (IOException e) {
      throw new AuthenticationException("cannot read " + USERS_FILE, e);
    }
    throw new AuthenticationException("login refused for " + user);
  }
}
