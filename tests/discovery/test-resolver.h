/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GResolver for tests, installed with g_resolver_set_default():
 *  - host names added with test_resolver_add_host() resolve to 127.0.0.1 (so that
 *    autoconfig.example.test or pop3.example.test reach local servers without
 *    touching /etc/hosts); every other name goes to the real resolver;
 *  - MX records come from test_resolver_add_mx(): resolv_wrapper (libresolv-wrapper
 *    1.1.8, which fakes the SRV answers of these tests) has no MX records;
 *  - every other record lookup (SRV) goes to the real resolver, that is, through
 *    res_nquery() to resolv_wrapper when it is preloaded.
 * Host and MX lookups of unknown names that end in ".test" fail at once with
 * G_RESOLVER_ERROR_NOT_FOUND (no real DNS is asked about test names). */
#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

TestResolver *test_resolver_install  (void);   /* makes it the default; returns it (none) */
void          test_resolver_add_host (TestResolver *self,
                                      const char   *name);
void          test_resolver_add_mx   (TestResolver *self,
                                      const char   *domain,
                                      guint16       preference,
                                      const char   *host);

G_END_DECLS
