; Inno Setup script for LeadTriage (per-user install: no administrator rights needed).
;
;   python packaging\build.py          builds dist\LeadTriage\ and, when iscc is on PATH,
;                                      runs this script with the version from pyproject.toml
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\LeadTriage /Odist packaging\windows\leadtriage.iss
;
; The database, backups and log live in %LOCALAPPDATA%\LeadTriage and are never
; removed by the uninstaller.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (packaging\build.py does)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\LeadTriage"
#endif

[Setup]
AppId={{11D0BB6C-91CA-47BB-8EDD-C44A9845B681}
AppName=LeadTriage
AppVersion={#AppVersion}
AppVerName=LeadTriage {#AppVersion}
AppPublisher=LeadTriage
DefaultDirName={autopf}\LeadTriage
DefaultGroupName=LeadTriage
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=LeadTriage-{#AppVersion}-setup
SetupIconFile=leadtriage.ico
UninstallDisplayIcon={app}\LeadTriage.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\LeadTriage"; Filename: "{app}\LeadTriage.exe"; Comment: "Turn raw sales leads into qualified sales conversations"
Name: "{autodesktop}\LeadTriage"; Filename: "{app}\LeadTriage.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\LeadTriage.exe"; Description: "{cm:LaunchProgram,LeadTriage}"; Flags: nowait postinstall skipifsilent
