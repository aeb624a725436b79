/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cachet-html.h"

static void
expect (const char *html,
        const char *expected)
{
  g_autofree char *got = cachet_html_to_text (html, -1);
  g_test_message ("html: %s", html);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_structure (void)
{
  expect ("<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond\n");
  expect ("<div>one</div><div>two</div>", "one\ntwo\n");
  expect ("line<br>break<br/>again", "line\nbreak\nagain\n");
  expect ("<h1>Title</h1>text", "Title\n\ntext\n");
  expect ("a   lot\n\n of   space", "a lot of space\n");
  expect ("<pre>  keep\n    this</pre>", "  keep\n    this\n");
  expect ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
          "a b\nc d\n");
  /* libxml2 puts loose text at the top into an implied paragraph. */
  expect ("x<hr>y", "x\n\n────────────────────\ny\n");
}

static void
test_lists_and_quotes (void)
{
  expect ("<ul><li>one</li><li>two</li></ul>", "• one\n• two\n");
  expect ("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second\n");
  expect ("<ul><li>a<ul><li>b</li></ul></li></ul>", "• a\n  • b\n");
  expect ("<p>said:</p><blockquote>quoted<br>line</blockquote><p>reply</p>",
          "said:\n\n> quoted\n> line\n\nreply\n");
}

static void
test_links_and_images (void)
{
  expect ("<a href=\"https://example.org/a\">site</a>", "site <https://example.org/a>\n");
  expect ("<a href=\"https://example.org/\">https://example.org/</a>", "https://example.org/\n");
  expect ("<a href=\"mailto:a@example.org\">a@example.org</a>", "a@example.org\n");
  /* Script URLs are never shown as links. */
  expect ("<a href=\"javascript:alert(1)\">click</a>", "click\n");
  /* Images are never loaded: only their alt text is shown. */
  expect ("<img src=\"https://tracker.example/p.gif\" alt=\"Logo\">", "[Logo]\n");
  expect ("<img src=\"https://tracker.example/p.gif\" width=1 height=1>", "");
}

static void
test_unsafe_content_dropped (void)
{
  expect ("<script>alert('x')</script>visible", "visible\n");
  expect ("<style>p { color: red }</style><p>visible</p>", "visible\n");
  expect ("<head><title>t</title><meta http-equiv=refresh content=0></head><body>b</body>",
          "b\n");
  expect ("<iframe src=\"https://example.org\"></iframe>x", "x\n");
  expect ("<form><input value=secret><button>Go</button></form>text", "text\n");
}

static void
test_entities_and_broken (void)
{
  expect ("&lt;tag&gt; &amp; &eacute;&nbsp;&#8364;", "<tag> & é €\n");
  expect ("<p>unclosed <b>bold <i>italic", "unclosed bold italic\n");
  expect ("</p></div>stray closers", "stray closers\n");
  expect ("", "");
  expect ("a < b and c > d, 5<6", "a < b and c > d, 5<6\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/html/structure", test_structure);
  g_test_add_func ("/core/html/lists-and-quotes", test_lists_and_quotes);
  g_test_add_func ("/core/html/links-and-images", test_links_and_images);
  g_test_add_func ("/core/html/unsafe-content-dropped", test_unsafe_content_dropped);
  g_test_add_func ("/core/html/entities-and-broken", test_entities_and_broken);

  return g_test_run ();
}
