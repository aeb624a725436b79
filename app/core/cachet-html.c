/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-html"

#include "config.h"

#include "cachet-html.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <string.h>

/* HTML mail becomes plain text: nothing is fetched (HTML_PARSE_NONET, and images are only
 * their alt text), scripts and styles are dropped, links stay visible as "text <url>". */

#define MAX_DEPTH 200

typedef struct
{
  GString *out;
  int      pending_newlines;   /* line breaks owed before the next text */
  gboolean pending_space;
  gboolean at_line_start;
  int      pre;                /* inside <pre> */
  int      quote;              /* <blockquote> depth */
  int      list_depth;
  int      depth;
} Walker;

static void
start_line (Walker *w)
{
  for (int i = 0; i < w->quote; i++)
    g_string_append_c (w->out, '>');
  if (w->quote > 0)
    g_string_append_c (w->out, ' ');
}

static void
flush_breaks (Walker *w)
{
  if (w->out->len == 0)
    {
      w->pending_newlines = 0;
      w->at_line_start = TRUE;
    }
  if (w->pending_newlines > 0)
    {
      int n = MIN (w->pending_newlines, 2);
      for (int i = 0; i < n; i++)
        {
          if (!w->at_line_start || i > 0)
            {
              g_string_append_c (w->out, '\n');
              if (i + 1 < n)
                start_line (w);  /* keep the quote on empty lines in a quote */
            }
          w->at_line_start = TRUE;
        }
      w->pending_newlines = 0;
      w->pending_space = FALSE;
    }
}

static void
emit (Walker     *w,
      const char *text,
      gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (!w->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'))
        {
          if (!w->at_line_start)
            w->pending_space = TRUE;
          continue;
        }
      if (w->pre && c == '\r')
        continue;

      flush_breaks (w);
      if (w->at_line_start)
        {
          start_line (w);
          w->at_line_start = FALSE;
          w->pending_space = FALSE;
        }
      if (w->pending_space)
        {
          g_string_append_c (w->out, ' ');
          w->pending_space = FALSE;
        }
      if (w->pre && c == '\n')
        {
          g_string_append_c (w->out, '\n');
          w->at_line_start = TRUE;
          continue;
        }
      /* U+00A0 no-break spaces are common in HTML mail; show them as plain spaces. */
      if ((guchar) c == 0xC2 && i + 1 < len && (guchar) text[i + 1] == 0xA0)
        {
          g_string_append_c (w->out, ' ');
          i++;
          continue;
        }
      g_string_append_c (w->out, c);
    }
}

static void
emit_str (Walker     *w,
          const char *s)
{
  emit (w, s, strlen (s));
}

static void
block_break (Walker *w,
             int     lines)
{
  w->pending_space = FALSE;
  if (w->out->len > 0)
    w->pending_newlines = MAX (w->pending_newlines, lines);
}

static gboolean
name_is (xmlNode    *node,
         const char *name)
{
  return node->name != NULL && g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

static gboolean
name_in (xmlNode            *node,
         const char * const *names)
{
  for (; *names; names++)
    if (name_is (node, *names))
      return TRUE;
  return FALSE;
}

static const char * const skipped[] = {
  "script", "style", "head", "title", "noscript", "template", "object", "embed", "iframe",
  "frame", "frameset", "applet", "audio", "video", "canvas", "button", "select", "textarea",
  "input", "meta", "link", "base", NULL
};
static const char * const paragraphs[] = {
  "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "address",
  "blockquote", "figure", "hr", NULL
};
static const char * const blocks[] = {
  "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "aside",
  "main", "form", "fieldset", "center", "caption", "tbody", "thead", "tfoot", "figcaption",
  "summary", "details", NULL
};

static gboolean
url_is_shown (const char *url)
{
  return g_ascii_strncasecmp (url, "http://", 7) == 0
         || g_ascii_strncasecmp (url, "https://", 8) == 0
         || g_ascii_strncasecmp (url, "ftp://", 6) == 0
         || g_ascii_strncasecmp (url, "mailto:", 7) == 0;
}

static void walk (Walker *w, xmlNode *node);

static void
walk_children (Walker  *w,
               xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    walk (w, child);
}

static void
walk_element (Walker  *w,
              xmlNode *node)
{
  if (name_in (node, skipped))
    return;

  if (name_is (node, "br"))
    {
      w->pending_space = FALSE;
      w->pending_newlines += 1;
      if (w->at_line_start && w->pending_newlines == 1 && w->out->len > 0)
        w->pending_newlines = 2;
      return;
    }
  if (name_is (node, "hr"))
    {
      block_break (w, 1);
      emit_str (w, "────────────────────");
      block_break (w, 1);
      return;
    }
  if (name_is (node, "img"))
    {
      xmlChar *alt = xmlGetProp (node, (const xmlChar *) "alt");
      if (alt != NULL && *alt != '\0')
        {
          g_autofree char *text = g_strdup_printf ("[%s]", (const char *) alt);
          emit_str (w, text);
        }
      xmlFree (alt);
      return;
    }

  if ((name_is (node, "ul") || name_is (node, "ol")) && w->list_depth > 0)
    block_break (w, 1);  /* a nested list continues its item */
  else if (name_in (node, paragraphs))
    block_break (w, 2);
  else if (name_in (node, blocks))
    block_break (w, 1);

  if (name_is (node, "li"))
    {
      xmlNode *parent = node->parent;
      g_autofree char *bullet = NULL;
      int indent = MAX (w->list_depth - 1, 0);
      GString *prefix = g_string_new (NULL);

      for (int i = 0; i < indent; i++)
        g_string_append (prefix, "  ");
      if (parent != NULL && name_is (parent, "ol"))
        {
          int n = 1;
          for (xmlNode *s = parent->children; s != NULL && s != node; s = s->next)
            if (s->type == XML_ELEMENT_NODE && name_is (s, "li"))
              n++;
          g_string_append_printf (prefix, "%d. ", n);
        }
      else
        g_string_append (prefix, "• ");
      bullet = g_string_free (prefix, FALSE);
      flush_breaks (w);
      if (w->at_line_start)
        {
          start_line (w);
          w->at_line_start = FALSE;
        }
      g_string_append (w->out, bullet);
      w->pending_space = FALSE;
    }

  if (name_is (node, "ul") || name_is (node, "ol"))
    w->list_depth++;
  if (name_is (node, "pre"))
    w->pre++;
  if (name_is (node, "blockquote"))
    {
      /* The blank line before a quote is not part of it. */
      if (w->pending_newlines > 1 && w->out->len > 0)
        {
          g_string_append_c (w->out, '\n');
          w->pending_newlines = 1;
        }
      w->quote++;
    }

  if (name_is (node, "td") || name_is (node, "th"))
    {
      if (!w->at_line_start)
        w->pending_space = TRUE;
    }

  walk_children (w, node);

  if (name_is (node, "a"))
    {
      xmlChar *href = xmlGetProp (node, (const xmlChar *) "href");
      if (href != NULL && url_is_shown ((const char *) href))
        {
          const char *url = (const char *) href;
          const char *shown = g_ascii_strncasecmp (url, "mailto:", 7) == 0 ? url + 7 : url;
          /* Don't repeat a link whose text is the address itself. */
          gsize len = strlen (shown);
          gboolean repeated = w->out->len >= len
                              && strcmp (w->out->str + w->out->len - len, shown) == 0;
          if (!repeated)
            {
              g_autofree char *text = g_strdup_printf (" <%s>", url);
              w->pending_space = FALSE;
              emit_str (w, text);
            }
        }
      xmlFree (href);
    }

  if (name_is (node, "ul") || name_is (node, "ol"))
    w->list_depth--;
  if (name_is (node, "pre"))
    w->pre--;
  if (name_is (node, "blockquote"))
    {
      block_break (w, 1);
      flush_breaks (w);
      w->quote--;
    }

  if (name_in (node, paragraphs))
    block_break (w, 2);
  else if (name_in (node, blocks))
    block_break (w, 1);
}

static void
walk (Walker  *w,
      xmlNode *node)
{
  if (w->depth > MAX_DEPTH)
    return;
  w->depth++;
  switch (node->type)
    {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
      if (node->content != NULL)
        emit_str (w, (const char *) node->content);
      break;
    case XML_ELEMENT_NODE:
      walk_element (w, node);
      break;
    case XML_DOCUMENT_NODE:
    case XML_HTML_DOCUMENT_NODE:
      walk_children (w, node);
      break;
    default:
      break;
    }
  w->depth--;
}

static gpointer
init_libxml (gpointer data)
{
  xmlInitParser ();
  return NULL;
}

char *
cachet_html_to_text (const char *html,
                     gssize      len)
{
  static GOnce once = G_ONCE_INIT;
  htmlDocPtr doc;
  Walker w = { 0 };
  char *result;

  if (html == NULL)
    return g_strdup ("");
  if (len < 0)
    len = strlen (html);
  if (len == 0)
    return g_strdup ("");

  g_once (&once, init_libxml, NULL);

  doc = htmlReadMemory (html, (int) MIN (len, G_MAXINT), NULL, "UTF-8",
                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                        | HTML_PARSE_NONET);
  if (doc == NULL)
    return g_strdup ("");

  w.out = g_string_sized_new (len / 2 + 16);
  w.at_line_start = TRUE;
  walk (&w, (xmlNode *) doc);
  xmlFreeDoc (doc);

  /* Trim trailing whitespace and end with one newline. */
  while (w.out->len > 0 && g_ascii_isspace (w.out->str[w.out->len - 1]))
    g_string_truncate (w.out, w.out->len - 1);
  if (w.out->len > 0)
    g_string_append_c (w.out, '\n');
  result = g_string_free (w.out, FALSE);
  return result;
}
