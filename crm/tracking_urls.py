"""Page URLs as tracking stores and page-view filters compare them, and what counts as a file.

One normal form, used at ingestion (``crm.services.tracking``) and by the PAGE_VIEW
filter's "is equal to" (``workflows.criteria.family_page_view``), so a filter typed by a
person matches what the script sent: scheme and host lower-cased, the default port and the
fragment (``#...``) dropped, an empty path written ``/``, a trailing ``/`` on a longer path
dropped. The path and the query string are kept as sent (paths are case-sensitive on most
servers; a query string can name a different page).

A file is never a page view (HubSpot's rule). A URL is a file when
- its last path segment ends with one of ``FILE_EXTENSIONS`` (documents, spreadsheets,
  slides, archives, images, audio, video, installers, data files), case-insensitively; or
- its path is under a file-hosting prefix (``FILE_PATH_PREFIXES``: HubSpot's file manager
  paths ``/hubfs/`` and ``/hs-fs/``, and ``/_hcms/`` file URLs); or
- the script says so (``download: true``: the document is not HTML, or a link marked
  ``download`` was followed).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

FILE_EXTENSIONS = frozenset(
    {
        # documents
        "pdf", "doc", "docx", "odt", "rtf", "txt", "epub", "pages",
        # spreadsheets and data
        "xls", "xlsx", "ods", "csv", "tsv", "json", "xml",
        # slides
        "ppt", "pptx", "odp", "key",
        # archives and installers
        "zip", "gz", "tgz", "bz2", "xz", "rar", "7z", "tar", "dmg", "exe", "msi", "apk", "iso",
        # images
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif",
        # audio and video
        "mp3", "wav", "ogg", "m4a", "flac", "mp4", "mov", "avi", "webm", "mkv", "wmv",
    }
)  # fmt: skip
FILE_PATH_PREFIXES = ("/hubfs/", "/hs-fs/", "/_hcms/")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BadUrl(ValueError):
    pass


def normalise_url(url: str) -> str:
    """The normal form (see the module docstring); ``BadUrl`` if it is not an http(s) URL."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadUrl(f"is not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadUrl("must be an absolute http:// or https:// URL")
    host = parts.hostname.lower()
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def file_reason(url: str, *, download: bool = False) -> str | None:
    """Why this URL is a file and not a page (None: it is a page)."""
    if download:
        return "the tracking script marked it a download"
    path = urlsplit(url).path
    lowered = path.lower()
    for prefix in FILE_PATH_PREFIXES:
        if lowered.startswith(prefix):
            return f"its path is under {prefix}, where files are hosted"
    last = lowered.rsplit("/", 1)[-1]
    if "." in last:
        ext = last.rsplit(".", 1)[-1]
        if ext in FILE_EXTENSIONS:
            return f"it is a .{ext} file"
    return None
