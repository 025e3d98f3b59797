; Windows registration of Vermittlung as a handler for tel:, sip: and callto: links, per machine.
;
; electron-builder's `protocols` reach Info.plist, the .desktop file and AppX only; the NSIS
; installer registers nothing by itself. Windows 10 and later never let an application make itself
; the default (app.setAsDefaultProtocolClient is overruled by the user's choice), so the installer
; only declares the capability the way Default Programs expects it:
;   - a URL class (ProgID) per scheme:           HKLM\Software\Classes\Vermittlung.Url.<scheme>
;   - the capabilities naming those classes:      HKLM\Software\Vermittlung\Capabilities\URLAssociations
;   - the entry that makes Windows list the app:  HKLM\Software\RegisteredApplications
; The user picks the default in Settings > Apps > Default apps, or IT assigns it with a default
; association XML (docs/it-rollout.md). A scheme no application has claimed at all (often sip:)
; is claimed here, marked as ours, and released again on uninstall.
; The same keys are written by the MSI (electron-builder.config.ts, msiProjectCreated).

!define VERMITTLUNG_CAPABILITIES "Software\Vermittlung\Capabilities"

!macro vermittlungRegisterScheme SCHEME DESCRIPTION
  WriteRegStr HKLM "Software\Classes\Vermittlung.Url.${SCHEME}" "" "${DESCRIPTION}"
  WriteRegStr HKLM "Software\Classes\Vermittlung.Url.${SCHEME}" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\Vermittlung.Url.${SCHEME}\DefaultIcon" "" "$appExe,0"
  WriteRegStr HKLM "Software\Classes\Vermittlung.Url.${SCHEME}\shell\open\command" "" '"$appExe" "%1"'
  WriteRegStr HKLM "${VERMITTLUNG_CAPABILITIES}\URLAssociations" "${SCHEME}" "Vermittlung.Url.${SCHEME}"
  ClearErrors
  ReadRegStr $0 HKLM "Software\Classes\${SCHEME}" "URL Protocol"
  ${If} ${Errors}
    WriteRegStr HKLM "Software\Classes\${SCHEME}" "" "${DESCRIPTION}"
    WriteRegStr HKLM "Software\Classes\${SCHEME}" "URL Protocol" ""
    WriteRegStr HKLM "Software\Classes\${SCHEME}" "VermittlungClaimed" "1"
    WriteRegStr HKLM "Software\Classes\${SCHEME}\shell\open\command" "" '"$appExe" "%1"'
  ${EndIf}
!macroend

!macro vermittlungUnregisterScheme SCHEME
  DeleteRegKey HKLM "Software\Classes\Vermittlung.Url.${SCHEME}"
  ReadRegStr $0 HKLM "Software\Classes\${SCHEME}" "VermittlungClaimed"
  ${If} $0 == "1"
    DeleteRegKey HKLM "Software\Classes\${SCHEME}"
  ${EndIf}
!macroend

!macro customInstall
  WriteRegStr HKLM "${VERMITTLUNG_CAPABILITIES}" "ApplicationName" "Vermittlung"
  WriteRegStr HKLM "${VERMITTLUNG_CAPABILITIES}" "ApplicationDescription" "Softphone"
  !insertmacro vermittlungRegisterScheme "tel" "URL:Telefonnummer"
  !insertmacro vermittlungRegisterScheme "callto" "URL:Telefonnummer"
  !insertmacro vermittlungRegisterScheme "sip" "URL:SIP"
  WriteRegStr HKLM "Software\RegisteredApplications" "Vermittlung" "${VERMITTLUNG_CAPABILITIES}"
  ; Windows caches the handler list; tell the shell that associations changed.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend

!macro customUnInstall
  ; An update runs the old uninstaller first: the user's or IT's choice must survive it.
  ${ifNot} ${isUpdated}
    !insertmacro vermittlungUnregisterScheme "tel"
    !insertmacro vermittlungUnregisterScheme "callto"
    !insertmacro vermittlungUnregisterScheme "sip"
    DeleteRegValue HKLM "Software\RegisteredApplications" "Vermittlung"
    DeleteRegKey HKLM "Software\Vermittlung\Capabilities"
    DeleteRegKey /ifempty HKLM "Software\Vermittlung"
    System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  ${endIf}
!macroend
