// SPDX-License-Identifier: GPL-2.0
/* svg.c - writing standalone SVG by hand: the document, shapes, and text escaped for XML. */
#include "svg.h"

void tr_svg_begin(FILE *f, double w, double h, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
		   "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" "
		   "font-size=\"11\">\n", w, h, w, h);
	tr_svg_title(f, title);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
}

void tr_svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

/* Length of the valid UTF-8 sequence at @s (XML's characters only), or 0. */
static int utf8_len(const unsigned char *s)
{
	unsigned int c;
	int n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF, and XML's two non-characters. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff || c == 0xfffe || c == 0xffff)
		return 0;
	return n;
}

void tr_svg_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = utf8_len(p);

		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (!n || *p < 0x20 || *p == 0x7f) {
				fputc('?', f);
				n = 1;
			} else {
				fwrite(p, 1, (size_t)n, f);
			}
			p += n;
			continue;
		}
		p++;
	}
}

void tr_svg_title(FILE *f, const char *s)
{
	fputs("<title>", f);
	tr_svg_escape(f, s);
	fputs("</title>\n", f);
}

void tr_svg_text(FILE *f, double x, double y, const char *attrs, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs && *attrs ? " " : "",
		attrs ? attrs : "");
	tr_svg_escape(f, s);
	fputs("</text>\n", f);
}

void tr_svg_rect(FILE *f, double x, double y, double w, double h, const char *attrs,
	      const char *title)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"%s%s", x, y, w, h,
		attrs && *attrs ? " " : "", attrs ? attrs : "");
	if (!title) {
		fputs("/>\n", f);
		return;
	}
	fputs("><title>", f);
	tr_svg_escape(f, title);
	fputs("</title></rect>\n", f);
}

void tr_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *attrs)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"%s%s/>\n", x1, y1, x2, y2,
		attrs && *attrs ? " " : "", attrs ? attrs : "");
}
