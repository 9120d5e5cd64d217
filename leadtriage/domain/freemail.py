"""E-mail domains of free mail providers: an address there says nothing about the
company (the importer keeps no company domain for it; the score reads it as a
"free mail" lead)."""

FREEMAIL = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.de yahoo.fr yahoo.es yahoo.co.uk hotmail.com hotmail.de
    hotmail.fr hotmail.es outlook.com outlook.de live.com live.de msn.com aol.com icloud.com me.com mac.com
    gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de posteo.de mailbox.org protonmail.com
    proton.me orange.fr wanadoo.fr free.fr laposte.net sfr.fr yandex.com yandex.ru mail.ru qq.com
    163.com zoho.com tutanota.com fastmail.com terra.es telefonica.net""".split()
)
